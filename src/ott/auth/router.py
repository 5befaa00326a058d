"""HTTP routes of the auth service: parse, call the service, shape the answer."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Path, Response, status

from ott.auth import service
from ott.auth.dependencies import Sessions, UserAgent
from ott.auth.schemas import (
    AuthResult,
    EmailChange,
    LoginRequest,
    PasswordChange,
    PasswordResetConfirm,
    PasswordResetRequest,
    ProfileCreate,
    ProfileOut,
    ProfileUpdate,
    RefreshRequest,
    RegisterRequest,
    RolesUpdate,
    SessionOut,
    UserOut,
)
from ott.core.dependencies import (
    AppSettings,
    DbSession,
    Events,
    MailerDep,
    Plans,
    ReadDbSession,
    Sessionmaker,
)
from ott.core.event_types import UserRegistered
from ott.core.identity import CurrentIdentity, Identity, Role, require_roles
from ott.core.openapi import error_responses

router = APIRouter(prefix="/api/auth", tags=["auth"])

SessionId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="A session's id")]


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    summary="Create an account",
    responses=error_responses(409),
)
async def register(
    body: RegisterRequest,
    db: DbSession,
    sessions: Sessions,
    settings: AppSettings,
    events: Events,
    background: BackgroundTasks,
    user_agent: UserAgent,
) -> AuthResult:
    result = await service.register(
        db=db, sessions=sessions, settings=settings, data=body, user_agent=user_agent
    )
    # Background tasks run after the request's transaction has committed.
    background.add_task(
        events.publish,
        UserRegistered(user_id=result.user.id, email=result.user.email),
    )
    return result


@router.post("/login", summary="Log in with email and password", responses=error_responses(401))
async def login(
    body: LoginRequest,
    sessionmaker: Sessionmaker,
    sessions: Sessions,
    settings: AppSettings,
    plans: Plans,
    user_agent: UserAgent,
) -> AuthResult:
    return await service.login(
        sessionmaker=sessionmaker,
        sessions=sessions,
        settings=settings,
        plans=plans,
        email=body.email,
        password=body.password,
        user_agent=user_agent,
    )


@router.post(
    "/refresh",
    summary="Exchange a refresh token for a new token pair",
    responses=error_responses(401),
)
async def refresh(
    body: RefreshRequest, db: DbSession, sessions: Sessions, settings: AppSettings, plans: Plans
) -> AuthResult:
    return await service.refresh(
        db=db, sessions=sessions, settings=settings, plans=plans, refresh_token=body.refresh_token
    )


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, summary="End this session")
async def logout(identity: CurrentIdentity, sessions: Sessions) -> Response:
    await service.logout(sessions=sessions, identity=identity)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", summary="The signed-in account")
async def me(identity: CurrentIdentity, db: ReadDbSession) -> UserOut:
    return UserOut.model_validate(await service.get_user(db=db, user_id=identity.user_id))


@router.put(
    "/me",
    summary="Change the account's sign-in email (needs the current password)",
    responses=error_responses(403, 409),
)
async def update_me(
    body: EmailChange, identity: CurrentIdentity, db: DbSession, sessionmaker: Sessionmaker
) -> UserOut:
    user = await service.change_email(
        db=db, sessionmaker=sessionmaker, identity=identity, data=body
    )
    return UserOut.model_validate(user)


@router.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change the password (needs the current one); ends every other session",
    responses=error_responses(403, 409),
)
async def change_password(
    body: PasswordChange,
    identity: CurrentIdentity,
    db: DbSession,
    sessionmaker: Sessionmaker,
    sessions: Sessions,
    settings: AppSettings,
    background: BackgroundTasks,
) -> Response:
    await service.change_password(
        db=db,
        sessionmaker=sessionmaker,
        sessions=sessions,
        settings=settings,
        identity=identity,
        data=body,
    )
    # After the commit: a sign-in with the old password just before it made a session too.
    background.add_task(
        service.end_sessions,
        sessions=sessions,
        user_id=identity.user_id,
        keep=identity.session_id,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/sessions", summary="The account's sessions (signed-in devices)")
async def list_sessions(identity: CurrentIdentity, sessions: Sessions) -> list[SessionOut]:
    return await service.list_sessions(sessions=sessions, identity=identity)


@router.delete(
    "/sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End one of the account's sessions at once (sign a device out)",
    responses=error_responses(404),
)
async def end_session(
    session_id: SessionId, identity: CurrentIdentity, sessions: Sessions
) -> Response:
    await service.end_session(sessions=sessions, identity=identity, session_id=session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/profiles", summary="The account's profiles")
async def list_profiles(identity: CurrentIdentity, db: ReadDbSession) -> list[ProfileOut]:
    profiles = await service.list_profiles(db=db, user_id=identity.user_id)
    return [ProfileOut.model_validate(p) for p in profiles]


@router.post(
    "/profiles",
    status_code=status.HTTP_201_CREATED,
    summary="Add a profile",
    responses=error_responses(409),
)
async def create_profile(
    body: ProfileCreate, identity: CurrentIdentity, db: DbSession
) -> ProfileOut:
    profile = await service.create_profile(db=db, user_id=identity.user_id, data=body)
    return ProfileOut.model_validate(profile)


@router.put("/profiles/{profile_id}", summary="Change a profile")
async def update_profile(
    profile_id: uuid.UUID, body: ProfileUpdate, identity: CurrentIdentity, db: DbSession
) -> ProfileOut:
    profile = await service.update_profile(
        db=db, user_id=identity.user_id, profile_id=profile_id, data=body
    )
    return ProfileOut.model_validate(profile)


@router.delete(
    "/profiles/{profile_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a profile (not the last one)",
    responses=error_responses(409),
)
async def delete_profile(
    profile_id: uuid.UUID, identity: CurrentIdentity, db: DbSession
) -> Response:
    await service.delete_profile(db=db, user_id=identity.user_id, profile_id=profile_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/profiles/{profile_id}/select", summary="Watch as this profile: new tokens")
async def select_profile(
    profile_id: uuid.UUID,
    identity: CurrentIdentity,
    db: DbSession,
    sessions: Sessions,
    settings: AppSettings,
    plans: Plans,
) -> AuthResult:
    return await service.select_profile(
        db=db,
        sessions=sessions,
        settings=settings,
        plans=plans,
        identity=identity,
        profile_id=profile_id,
    )


@router.post(
    "/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Mail a password-reset link (the answer is the same for unknown emails)",
)
async def request_password_reset(
    body: PasswordResetRequest, db: DbSession, settings: AppSettings, mailer: MailerDep
) -> dict[str, str]:
    await service.request_password_reset(db=db, settings=settings, mailer=mailer, email=body.email)
    return {"status": "If the account exists, a reset link has been sent"}


@router.post(
    "/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Set a new password with a reset token; ends every session",
)
async def confirm_password_reset(
    body: PasswordResetConfirm, db: DbSession, sessions: Sessions, settings: AppSettings
) -> Response:
    await service.confirm_password_reset(db=db, sessions=sessions, settings=settings, data=body)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(
    "/users/{user_id}/roles",
    summary="Set an account's roles (admins only); ends the account's sessions",
)
async def set_roles(
    user_id: uuid.UUID,
    body: RolesUpdate,
    db: DbSession,
    sessions: Sessions,
    background: BackgroundTasks,
    _: Identity = require_roles(Role.ADMIN),
) -> UserOut:
    user = await service.set_roles(db=db, user_id=user_id, roles=body.roles, sessions=sessions)
    # After the commit: a session made between the first ending and the commit had old roles.
    background.add_task(service.end_sessions, sessions=sessions, user_id=user.id)
    return UserOut.model_validate(user)
