"""HTTP routes of the ad service (/api/ads): inventory for admins, decisions for viewers (VMAP
per playback, VAST per break) and tracking pings."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from ott.ads import service
from ott.ads.dependencies import AdManager, CurrentAdViewer, Runtime
from ott.ads.schemas import (
    AdvertiserIn,
    AdvertiserOut,
    AdvertiserPatch,
    CampaignIn,
    CampaignOut,
    CampaignPatch,
    CampaignStats,
    CreativeIn,
    CreativeOut,
)
from ott.ads.status import CampaignEvent, CampaignStatus
from ott.ads.tokens import MAX_TOKEN_LENGTH
from ott.ads.vast import MEDIA_TYPE
from ott.core.dependencies import AppSettings, DbSession, MediaStorage, ReadDbSession
from ott.core.openapi import error_responses
from ott.streaming.schemas import DeviceType

router = APIRouter(prefix="/api/ads", tags=["ads"])

_XML_HEADERS = {"cache-control": "private, no-store"}


def _xml(description: str) -> dict[int | str, dict[str, object]]:
    return {
        200: {"description": description, "content": {MEDIA_TYPE: {"schema": {"type": "string"}}}}
    }


Token = Annotated[str, Path(min_length=1, max_length=MAX_TOKEN_LENGTH)]

# ---------------------------------------------------------------- advertisers


@router.post(
    "/advertisers",
    status_code=status.HTTP_201_CREATED,
    summary="Add an advertiser",
    responses=error_responses(409),
)
async def create_advertiser(body: AdvertiserIn, db: DbSession, _: AdManager) -> AdvertiserOut:
    return AdvertiserOut.model_validate(await service.create_advertiser(db=db, body=body))


@router.get("/advertisers", summary="Every advertiser, by name")
async def list_advertisers(db: ReadDbSession, _: AdManager) -> list[AdvertiserOut]:
    return [AdvertiserOut.model_validate(a) for a in await service.list_advertisers(db=db)]


@router.get(
    "/advertisers/{advertiser_id}", summary="One advertiser", responses=error_responses(404)
)
async def get_advertiser(
    advertiser_id: uuid.UUID, db: ReadDbSession, _: AdManager
) -> AdvertiserOut:
    return AdvertiserOut.model_validate(
        await service.get_advertiser(db=db, advertiser_id=advertiser_id)
    )


@router.patch(
    "/advertisers/{advertiser_id}",
    summary="Change an advertiser's name or domain",
    responses=error_responses(404, 409),
)
async def update_advertiser(
    advertiser_id: uuid.UUID, body: AdvertiserPatch, db: DbSession, _: AdManager
) -> AdvertiserOut:
    return AdvertiserOut.model_validate(
        await service.update_advertiser(db=db, advertiser_id=advertiser_id, body=body)
    )


@router.delete(
    "/advertisers/{advertiser_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete an advertiser without campaigns",
    responses=error_responses(404, 409),
)
async def delete_advertiser(advertiser_id: uuid.UUID, db: DbSession, _: AdManager) -> Response:
    await service.delete_advertiser(db=db, advertiser_id=advertiser_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------- campaigns


@router.post(
    "/campaigns",
    status_code=status.HTTP_201_CREATED,
    summary="Add a campaign (a draft)",
    responses=error_responses(),
)
async def create_campaign(
    body: CampaignIn, db: DbSession, runtime: Runtime, _: AdManager
) -> CampaignOut:
    return CampaignOut.of(await service.create_campaign(db=db, runtime=runtime, body=body))


@router.get("/campaigns", summary="Campaigns, newest first")
async def list_campaigns(
    db: ReadDbSession,
    _: AdManager,
    advertiser_id: uuid.UUID | None = None,
    status_: Annotated[CampaignStatus | None, Query(alias="status")] = None,
) -> list[CampaignOut]:
    found = await service.list_campaigns(db=db, advertiser_id=advertiser_id, status=status_)
    return [CampaignOut.of(c) for c in found]


@router.get("/campaigns/{campaign_id}", summary="One campaign", responses=error_responses(404))
async def get_campaign(campaign_id: uuid.UUID, db: ReadDbSession, _: AdManager) -> CampaignOut:
    return CampaignOut.of(await service.get_campaign(db=db, campaign_id=campaign_id))


@router.patch(
    "/campaigns/{campaign_id}",
    summary="Change a campaign's flight, goals, pacing, targeting, caps or clicks",
    responses=error_responses(404, 409),
)
async def update_campaign(
    campaign_id: uuid.UUID, body: CampaignPatch, db: DbSession, runtime: Runtime, _: AdManager
) -> CampaignOut:
    return CampaignOut.of(
        await service.update_campaign(db=db, runtime=runtime, campaign_id=campaign_id, body=body)
    )


@router.post(
    "/campaigns/{campaign_id}/actions/{event}",
    summary="Activate, pause or end a campaign",
    responses=error_responses(404, 409),
)
async def change_campaign_status(
    campaign_id: uuid.UUID, event: CampaignEvent, db: DbSession, runtime: Runtime, _: AdManager
) -> CampaignOut:
    return CampaignOut.of(
        await service.change_status(db=db, runtime=runtime, campaign_id=campaign_id, event=event)
    )


@router.delete(
    "/campaigns/{campaign_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a draft campaign",
    responses=error_responses(404, 409),
)
async def delete_campaign(
    campaign_id: uuid.UUID, db: DbSession, runtime: Runtime, _: AdManager
) -> Response:
    await service.delete_campaign(db=db, runtime=runtime, campaign_id=campaign_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/campaigns/{campaign_id}/stats",
    summary="The campaign's tracking events per day (impressions, quartiles, clicks...)",
    responses=error_responses(404),
)
async def campaign_stats(
    campaign_id: uuid.UUID,
    db: ReadDbSession,
    runtime: Runtime,
    _: AdManager,
    since: Annotated[date | None, Query(alias="from")] = None,
    until: Annotated[date | None, Query(alias="to")] = None,
) -> CampaignStats:
    return await service.campaign_stats(
        db=db, runtime=runtime, campaign_id=campaign_id, since=since, until=until
    )


# ---------------------------------------------------------------- creatives


@router.post(
    "/campaigns/{campaign_id}/creatives",
    status_code=status.HTTP_201_CREATED,
    summary="Add a video creative from an upload: transcoded by the media pipeline",
    responses=error_responses(404, 409),
)
async def create_creative(
    campaign_id: uuid.UUID,
    body: CreativeIn,
    db: DbSession,
    storage: MediaStorage,
    settings: AppSettings,
    identity: AdManager,
) -> CreativeOut:
    creative = await service.create_creative(
        db=db,
        storage=storage,
        settings=settings,
        identity=identity,
        campaign_id=campaign_id,
        body=body,
    )
    return CreativeOut.model_validate(creative)


@router.get(
    "/campaigns/{campaign_id}/creatives",
    summary="A campaign's creatives",
    responses=error_responses(404),
)
async def list_creatives(
    campaign_id: uuid.UUID, db: DbSession, runtime: Runtime, storage: MediaStorage, _: AdManager
) -> list[CreativeOut]:
    found = await service.list_creatives(
        db=db, runtime=runtime, storage=storage, campaign_id=campaign_id
    )
    return [CreativeOut.model_validate(c) for c in found]


@router.get(
    "/creatives/{creative_id}",
    summary="One creative (processing, ready or failed)",
    responses=error_responses(404),
)
async def get_creative(
    creative_id: uuid.UUID, db: DbSession, runtime: Runtime, storage: MediaStorage, _: AdManager
) -> CreativeOut:
    creative = await service.get_creative(
        db=db, runtime=runtime, storage=storage, creative_id=creative_id
    )
    return CreativeOut.model_validate(creative)


@router.delete(
    "/creatives/{creative_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a creative",
    responses=error_responses(404),
)
async def delete_creative(
    creative_id: uuid.UUID, db: DbSession, runtime: Runtime, _: AdManager
) -> Response:
    await service.delete_creative(db=db, runtime=runtime, creative_id=creative_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------- decisions and tracking


@router.get(
    "/vmap",
    summary="The playback's ad breaks (VMAP 1.0) for an ad-supported viewer",
    response_class=Response,
    responses={**_xml("A VMAP 1.0 document"), **error_responses(403, 404, 422)},
)
async def get_vmap(
    runtime: Runtime,
    who: CurrentAdViewer,
    content_id: uuid.UUID,
    episode_id: uuid.UUID | None = None,
    session_id: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")] = None,
    device: DeviceType = DeviceType.WEB,
) -> Response:
    document = await service.vmap(
        runtime=runtime,
        who=who,
        content_id=content_id,
        episode_id=episode_id,
        session_id=session_id,
        device=device.value,
    )
    return Response(document, media_type=MEDIA_TYPE, headers=_XML_HEADERS)


@router.get(
    "/vast",
    summary="One break's ads (VAST 4.2; the no-ad document when none is eligible)",
    response_class=Response,
    responses={**_xml("A VAST 4.2 document"), **error_responses(400, 403)},
)
async def get_vast(
    runtime: Runtime,
    b: Annotated[str, Query(min_length=1, max_length=MAX_TOKEN_LENGTH, description="Break token")],
) -> Response:
    document = await service.vast(runtime=runtime, token=b)
    return Response(document, media_type=MEDIA_TYPE, headers=_XML_HEADERS)


@router.get(
    "/t/{token}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="A tracking ping (impression, quartiles, clicks...): counted once per event",
    responses=error_responses(400, 403),
)
async def track(
    token: Token,
    runtime: Runtime,
    code: Annotated[str | None, Query(max_length=16, description="VAST error code")] = None,
) -> Response:
    await service.track(runtime=runtime, token=token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
