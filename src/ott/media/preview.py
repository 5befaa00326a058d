"""Previews: a finished encoding's files signed for the browser of someone who edits its title.

Unsigned, the media routes serve only the posters and thumbnails of published titles, so an
editor could not watch a video before it goes live. `preview` signs the encoding's folder
(ott.core.signing, the scheme of viewers' playback URLs) for an admin, the editor who created
the title, or a reviewer (ott.core.identity.previews_titles_of), in whatever workflow state it
is now. Anyone else gets no preview.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ott.content.models import Content
from ott.core.identity import Identity, previews_titles_of
from ott.core.signing import MediaSigner
from ott.media.current import CurrentVideo
from ott.media.models import Encoding, EncodingStatus
from ott.media.schemas import EncodingPreview, SignedTrack


async def preview(
    *, db: AsyncSession, signer: MediaSigner, identity: Identity, encoding: Encoding
) -> EncodingPreview | None:
    """Signed URLs of a succeeded encoding's files, if the caller edits its title."""
    if encoding.status is not EncodingStatus.SUCCEEDED or not encoding.result:
        return None
    if encoding.content_id is None:
        return None
    found = (
        await db.execute(select(Content.created_by).where(Content.id == encoding.content_id))
    ).first()
    if found is None or not previews_titles_of(identity, found.created_by):
        return None
    # Any succeeded encoding has the shape of a title's current video: its own folder.
    video = CurrentVideo(
        encoding_id=encoding.id,
        owner_id=encoding.episode_id or encoding.content_id,
        result=encoding.result,
    )
    master = video.relative(encoding.result.get("master_playlist_url"))
    dash = video.relative(encoding.result.get("dash_manifest_url"))
    if master is None or dash is None:
        return None
    signed = signer.sign(video.folder)

    def url(key: str) -> str | None:
        relative = video.relative(encoding.result.get(key) if encoding.result else None)
        return signed.url(relative) if relative else None

    subtitles = []
    for track in encoding.result.get("subtitles") or []:
        vtt = video.relative(track.get("vtt_url"))
        if vtt:
            subtitles.append(
                SignedTrack(
                    language=track["language"], label=track.get("label"), url=signed.url(vtt)
                )
            )
    return EncodingPreview(
        master_playlist_url=signed.url(master),
        dash_manifest_url=signed.url(dash),
        poster_url=url("poster_url"),
        thumbnails_url=url("thumbnails_url"),
        subtitles=subtitles,
        expires_at=signed.expires_at,
    )
