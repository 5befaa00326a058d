from ott.cli import app

app(prog_name="ott")
