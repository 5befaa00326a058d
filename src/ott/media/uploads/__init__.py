"""Resumable uploads with the tus protocol: headers, the store on disk, the rules, the sweeper."""
