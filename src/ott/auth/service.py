"""The rules of accounts, sessions, profiles and password resets. No HTTP in here."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime

import structlog
from redis.exceptions import RedisError
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from ott.auth import passwords
from ott.auth.devices import describe_device
from ott.auth.models import PasswordResetToken, Profile, User
from ott.auth.schemas import (
    AuthResult,
    EmailChange,
    PasswordChange,
    PasswordResetConfirm,
    ProfileCreate,
    ProfileUpdate,
    RegisterRequest,
    SessionOut,
    UserOut,
)
from ott.auth.sessions import RefreshGrant, SessionStore
from ott.core.entitlements import EntitlementReader
from ott.core.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
)
from ott.core.identity import Identity, Role, issue_access_token
from ott.core.mailer import Mailer
from ott.core.maturity import DEFAULT_PROFILE_RATING, KIDS_MAX_RATING, MaturityRating
from ott.core.settings import Settings
from ott.core.tiers import SubscriptionTier

log = structlog.get_logger(__name__)

MAX_PROFILES = 5
_BAD_CREDENTIALS = "The email or password is incorrect"


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _identity(user: User, session_id: str, profile: Profile | None) -> Identity:
    return Identity(
        user_id=user.id,
        session_id=session_id,
        tier=user.subscription_tier.value,
        roles=frozenset(role.value for role in user.roles),
        profile_id=profile.id if profile else None,
        maturity_rating=profile.maturity_rating if profile else None,
        language=profile.language_preference if profile else None,
    )


async def _changed_tier(plans: EntitlementReader, user: User) -> SubscriptionTier | None:
    """The account's tier by its entitlement (the subscription service decides it) when it
    differs from the one on record, so that a new token carries it. None when it is the same,
    or when that service cannot answer (the last known tier stands)."""
    entitlement = await plans.of(_identity(user, session_id="", profile=None))
    if entitlement.source != "subscriptions" or entitlement.tier is user.subscription_tier:
        return None
    return entitlement.tier


async def _record_tier(db: AsyncSession, user: User, tier: SubscriptionTier) -> None:
    await db.execute(update(User).where(User.id == user.id).values(subscription_tier=tier))
    user.subscription_tier = tier


def _auth_result(
    user: User, grant: RefreshGrant, profile: Profile | None, settings: Settings
) -> AuthResult:
    access_token, expires_in = issue_access_token(
        _identity(user, grant.session_id, profile), settings
    )
    return AuthResult(
        access_token=access_token,
        refresh_token=grant.refresh_token,
        expires_in=expires_in,
        refresh_expires_in=int(settings.refresh_token_ttl.total_seconds()),
        profile_id=profile.id if profile else None,
        user=UserOut.model_validate(user),
    )


async def _get_user(db: AsyncSession, user_id: uuid.UUID, *, lock: bool = False) -> User:
    statement = select(User).where(User.id == user_id)
    if lock:
        statement = statement.with_for_update()
    user = await db.scalar(statement)
    if user is None:
        raise Unauthorized("The account no longer exists", code="account_not_found")
    return user


async def _own_profile(db: AsyncSession, user_id: uuid.UUID, profile_id: uuid.UUID) -> Profile:
    """A profile of this account; another account's profile is simply not found."""
    profile = await db.scalar(
        select(Profile).where(Profile.id == profile_id, Profile.user_id == user_id)
    )
    if profile is None:
        raise NotFound("No such profile")
    return profile


async def register(
    *,
    db: AsyncSession,
    sessions: SessionStore,
    settings: Settings,
    data: RegisterRequest,
    user_agent: str | None = None,
) -> AuthResult:
    email = normalize_email(data.email)
    passwords.check_policy(data.password, email=email)
    user = User(
        email=email,
        password_hash=await passwords.hash_password(data.password, settings.bcrypt_rounds),
    )
    db.add(user)
    try:
        await db.flush()
    except IntegrityError as exc:
        raise Conflict("An account with this email already exists", code="email_taken") from exc
    profile = Profile(user_id=user.id, name=data.profile_name or email.split("@")[0][:100])
    db.add(profile)
    await db.flush()
    await db.refresh(user)
    await db.refresh(profile)
    grant = await sessions.create(user_id=user.id, profile_id=profile.id, user_agent=user_agent)
    return _auth_result(user, grant, profile, settings)


async def authenticate(
    *, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, email: str, password: str
) -> User:
    """The user with these credentials (profiles loaded); the same error, after the same work,
    for any mismatch. The account is read in a short session of its own, so no database
    connection is held through the quarter second bcrypt takes."""
    async with sessionmaker() as db:
        user = await db.scalar(
            select(User)
            .where(User.email == normalize_email(email))
            .options(selectinload(User.profiles))
        )
    if user is None:
        await passwords.burn_equal_time(password, settings.bcrypt_rounds)
        raise Unauthorized(_BAD_CREDENTIALS, code="invalid_credentials")
    if not await passwords.verify_password(password, user.password_hash):
        raise Unauthorized(_BAD_CREDENTIALS, code="invalid_credentials")
    return user


async def login(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    sessions: SessionStore,
    settings: Settings,
    plans: EntitlementReader,
    email: str,
    password: str,
    user_agent: str | None = None,
) -> AuthResult:
    user = await authenticate(
        sessionmaker=sessionmaker, settings=settings, email=email, password=password
    )
    if (tier := await _changed_tier(plans, user)) is not None:
        async with sessionmaker() as db, db.begin():
            await _record_tier(db, user, tier)
    # One profile: use it straight away. Several: the app asks who is watching.
    profile = user.profiles[0] if len(user.profiles) == 1 else None
    grant = await sessions.create(
        user_id=user.id, profile_id=profile.id if profile else None, user_agent=user_agent
    )
    return _auth_result(user, grant, profile, settings)


async def refresh(
    *,
    db: AsyncSession,
    sessions: SessionStore,
    settings: Settings,
    plans: EntitlementReader,
    refresh_token: str,
) -> AuthResult:
    grant = await sessions.rotate(token=refresh_token)
    user = await _get_user(db, grant.user_id)
    if (tier := await _changed_tier(plans, user)) is not None:
        await _record_tier(db, user, tier)
    profile = None
    if grant.profile_id:
        profile = await db.scalar(
            select(Profile).where(Profile.id == grant.profile_id, Profile.user_id == user.id)
        )
    return _auth_result(user, grant, profile, settings)


async def logout(*, sessions: SessionStore, identity: Identity) -> None:
    await sessions.revoke(session_id=identity.session_id, user_id=identity.user_id)


async def get_user(*, db: AsyncSession, user_id: uuid.UUID) -> User:
    return await _get_user(db, user_id)


async def list_sessions(*, sessions: SessionStore, identity: Identity) -> list[SessionOut]:
    return [
        SessionOut(
            id=session.session_id,
            device=describe_device(session.user_agent),
            user_agent=session.user_agent,
            created_at=session.created_at,
            last_used_at=session.last_used_at,
            current=session.session_id == identity.session_id,
        )
        for session in await sessions.active(user_id=identity.user_id)
    ]


async def end_session(*, sessions: SessionStore, identity: Identity, session_id: str) -> None:
    """End one of the account's sessions (the caller's own too, as logout does); another
    account's, or one that has ended, is not found."""
    if await sessions.owner(session_id=session_id) != identity.user_id:
        raise NotFound("No such session")
    await sessions.revoke(session_id=session_id, user_id=identity.user_id)


async def _with_password(
    sessionmaker: async_sessionmaker[AsyncSession], user_id: uuid.UUID, password: str
) -> User:
    """The account, once `password` is its current one. Read in a short session of its own:
    no database connection is held through bcrypt."""
    async with sessionmaker() as db:
        user = await _get_user(db, user_id)
    if not await passwords.verify_password(password, user.password_hash):
        raise Forbidden(
            "The current password is incorrect",
            code="wrong_password",
            details=[{"field": "current_password", "message": "is not the account's password"}],
        )
    return user


async def _spend_reset_tokens(db: AsyncSession, user_id: uuid.UUID, now: datetime) -> None:
    await db.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user_id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )


async def change_password(
    *,
    db: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    sessions: SessionStore,
    settings: Settings,
    identity: Identity,
    data: PasswordChange,
) -> None:
    """Set a new password (the rules of registration), given the current one. Every other
    session ends and unused reset links stop working; the caller's session goes on. The caller
    ends the other sessions once more after the commit (`end_sessions`): a sign-in with the old
    password may have happened in between."""
    user = await _with_password(sessionmaker, identity.user_id, data.current_password)
    passwords.check_policy(data.new_password, email=user.email)
    if data.new_password == data.current_password:
        raise ValidationFailed(
            "The new password is the current one",
            code="password_unchanged",
            details=[{"field": "new_password", "message": "must differ from the current one"}],
        )
    new_hash = await passwords.hash_password(data.new_password, settings.bcrypt_rounds)
    # Only over the hash just checked: a change that landed meanwhile is not overwritten.
    changed = await db.scalar(
        update(User)
        .where(User.id == user.id, User.password_hash == user.password_hash)
        .values(password_hash=new_hash)
        .returning(User.id)
    )
    if changed is None:
        raise Conflict("The password was changed meanwhile; sign in again", code="password_changed")
    await _spend_reset_tokens(db, user.id, datetime.now(UTC))
    await sessions.revoke_all(user_id=user.id, keep=identity.session_id)


async def change_email(
    *,
    db: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    identity: Identity,
    data: EmailChange,
) -> User:
    """Change the sign-in email, given the password; reset links mailed to the old address
    stop working. An email another account has is 409."""
    await _with_password(sessionmaker, identity.user_id, data.current_password)
    user = await _get_user(db, identity.user_id, lock=True)
    email = normalize_email(data.email)
    if email == user.email:
        return user
    user.email = email
    try:
        await db.flush()
    except IntegrityError as exc:
        raise Conflict("An account with this email already exists", code="email_taken") from exc
    await _spend_reset_tokens(db, user.id, datetime.now(UTC))
    await db.refresh(user)
    return user


async def _profiles_of(db: AsyncSession, user_id: uuid.UUID) -> list[Profile]:
    result = await db.scalars(
        select(Profile).where(Profile.user_id == user_id).order_by(Profile.created_at, Profile.id)
    )
    return list(result)


async def list_profiles(*, db: AsyncSession, user_id: uuid.UUID) -> list[Profile]:
    return await _profiles_of(db, user_id)


def _checked_rating(is_kids: bool, rating: MaturityRating | None) -> MaturityRating:
    if rating is None:
        return KIDS_MAX_RATING if is_kids else DEFAULT_PROFILE_RATING
    if is_kids and not KIDS_MAX_RATING.allows(rating):
        raise ValidationFailed(
            f"A kids profile can be rated {KIDS_MAX_RATING.value} at most",
            code="kids_rating_too_high",
            details=[{"field": "maturity_rating", "message": "too high for a kids profile"}],
        )
    return rating


async def create_profile(*, db: AsyncSession, user_id: uuid.UUID, data: ProfileCreate) -> Profile:
    # Lock the account row so two concurrent creations cannot both pass the limit.
    await _get_user(db, user_id, lock=True)
    count = await db.scalar(select(func.count()).where(Profile.user_id == user_id))
    if (count or 0) >= MAX_PROFILES:
        raise Conflict(
            f"An account can have at most {MAX_PROFILES} profiles", code="profile_limit_reached"
        )
    profile = Profile(
        user_id=user_id,
        name=data.name,
        avatar_url=data.avatar_url,
        maturity_rating=_checked_rating(data.is_kids, data.maturity_rating).value,
        language_preference=data.language_preference.value,
        is_kids=data.is_kids,
    )
    db.add(profile)
    await db.flush()
    await db.refresh(profile)
    return profile


async def update_profile(
    *, db: AsyncSession, user_id: uuid.UUID, profile_id: uuid.UUID, data: ProfileUpdate
) -> Profile:
    profile = await _own_profile(db, user_id, profile_id)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("name", "") is None or changes.get("is_kids", False) is None:
        raise ValidationFailed("name and is_kids cannot be null")
    is_kids = changes.get("is_kids", profile.is_kids)
    rating = changes.get("maturity_rating") or MaturityRating(profile.maturity_rating)
    if is_kids and "maturity_rating" not in changes and not KIDS_MAX_RATING.allows(rating):
        rating = KIDS_MAX_RATING  # turning a profile into a kids profile lowers its rating
    changes["maturity_rating"] = _checked_rating(is_kids, rating).value
    if changes.get("language_preference") is not None:
        changes["language_preference"] = changes["language_preference"].value
    for field, value in changes.items():
        if value is not None or field == "avatar_url":
            setattr(profile, field, value)
    await db.flush()
    return profile


async def delete_profile(*, db: AsyncSession, user_id: uuid.UUID, profile_id: uuid.UUID) -> None:
    await _get_user(db, user_id, lock=True)
    profile = await _own_profile(db, user_id, profile_id)
    count = await db.scalar(select(func.count()).where(Profile.user_id == user_id))
    if (count or 0) <= 1:
        raise Conflict("An account keeps at least one profile", code="last_profile")
    await db.delete(profile)
    await db.flush()


async def select_profile(
    *,
    db: AsyncSession,
    sessions: SessionStore,
    settings: Settings,
    plans: EntitlementReader,
    identity: Identity,
    profile_id: uuid.UUID,
) -> AuthResult:
    profile = await _own_profile(db, identity.user_id, profile_id)
    user = await _get_user(db, identity.user_id)
    if (tier := await _changed_tier(plans, user)) is not None:
        await _record_tier(db, user, tier)
    grant = await sessions.switch_profile(
        session_id=identity.session_id, user_id=user.id, profile_id=profile.id
    )
    return _auth_result(user, grant, profile, settings)


async def request_password_reset(
    *, db: AsyncSession, settings: Settings, mailer: Mailer, email: str
) -> None:
    """Mail a single-use reset link. An unknown email gets no mail and no different answer."""
    user = await db.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        return
    token = secrets.token_urlsafe(32)
    db.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=_token_hash(token),
            expires_at=datetime.now(UTC) + settings.password_reset_ttl,
        )
    )
    await db.flush()
    minutes = int(settings.password_reset_ttl.total_seconds() // 60)
    link = f"{settings.public_base_url.rstrip('/')}/reset-password?token={token}"
    await mailer.send(
        to=user.email,
        subject="Reset your password",
        text=(
            "Someone asked to reset the password of your account.\n\n"
            f"To choose a new password, open this link within {minutes} minutes:\n{link}\n\n"
            f"Reset code: {token}\n\n"
            "If it was not you, ignore this mail: your password stays as it is.\n"
        ),
    )


async def confirm_password_reset(
    *, db: AsyncSession, sessions: SessionStore, settings: Settings, data: PasswordResetConfirm
) -> None:
    now = datetime.now(UTC)
    reset = await db.scalar(
        select(PasswordResetToken)
        .where(
            PasswordResetToken.token_hash == _token_hash(data.token),
            PasswordResetToken.used_at.is_(None),
            PasswordResetToken.expires_at > now,
        )
        .with_for_update()
    )
    if reset is None:
        raise BadRequest("The reset link is invalid or has expired", code="invalid_reset_token")
    user = await _get_user(db, reset.user_id, lock=True)
    passwords.check_policy(data.new_password, email=user.email)
    user.password_hash = await passwords.hash_password(data.new_password, settings.bcrypt_rounds)
    await _spend_reset_tokens(db, user.id, now)
    await db.flush()
    await sessions.revoke_all(user_id=user.id)


async def set_roles(
    *,
    db: AsyncSession,
    user_id: uuid.UUID,
    roles: list[Role],
    sessions: SessionStore | None = None,
) -> User:
    """Replace the account's roles (viewer is always kept).

    Roles ride in access tokens, so with `sessions` (the API always passes it) every session of
    the account ends: a demoted editor loses CMS rights at once instead of when the token
    expires. Without Redis that fails, the transaction rolls back and nothing has changed.
    Callers working on the database alone (scripts, tests) leave the new roles to the next
    sign-in. The caller ends the sessions once more after the commit (`end_sessions`): a sign-in
    between this call and the commit read the old roles.
    """
    user = await db.scalar(select(User).where(User.id == user_id).with_for_update())
    if user is None:
        raise NotFound("No such user")
    user.roles = sorted(set(roles) | {Role.VIEWER})
    await db.flush()
    if sessions is not None:
        await sessions.revoke_all(user_id=user.id)
    return user


async def end_sessions(
    *, sessions: SessionStore, user_id: uuid.UUID, keep: str | None = None
) -> None:
    """End every session of the account (but `keep`), after a commit: a store error is logged,
    not raised (the change it follows is already committed and was checked against Redis
    before)."""
    try:
        await sessions.revoke_all(user_id=user_id, keep=keep)
    except (RedisError, OSError) as exc:
        log.warning("end_sessions_failed", user_id=str(user_id), error=repr(exc))


async def find_user_by_email(*, db: AsyncSession, email: str) -> User | None:
    """The account with this email (compared as registration stores it), if there is one."""
    return await db.scalar(select(User).where(User.email == normalize_email(email)))


async def create_admin(
    *, db: AsyncSession, settings: Settings, email: str, password: str | None
) -> User:
    """Create an admin account, or make an existing account an admin (keeping its password:
    `password` is for a new account, which needs one, and is not read otherwise)."""
    email = normalize_email(email)
    user = await find_user_by_email(db=db, email=email)
    if user is None:
        if password is None:
            raise ValidationFailed(
                f"There is no account {email}; a new account needs a password",
                code="password_required",
                details=[{"field": "password", "message": "required for a new account"}],
            )
        passwords.check_policy(password, email=email)
        user = User(
            email=email,
            password_hash=await passwords.hash_password(password, settings.bcrypt_rounds),
            roles=[Role.VIEWER, Role.ADMIN],
        )
        db.add(user)
        await db.flush()
        db.add(Profile(user_id=user.id, name=email.split("@")[0][:100]))
    else:
        user.roles = sorted(set(user.roles) | {Role.ADMIN})
    await db.flush()
    return user
