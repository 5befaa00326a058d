import type { Profile } from "@/api/types";
import { Avatar, AvatarFallback, AvatarImage } from "@/components/ui/avatar";
import { cn } from "@/lib/utils";

/** The avatars shipped with the app (public/avatars); a profile's avatar_url is one of them. */
export const AVATARS = Array.from({ length: 8 }, (_, i) => `/avatars/${i + 1}.svg`);

export function defaultAvatar(index: number): string {
  return AVATARS[index % AVATARS.length] ?? "/avatars/1.svg";
}

export function ProfileAvatar({
  profile,
  className,
}: {
  profile: Pick<Profile, "name" | "avatar_url">;
  className?: string;
}) {
  return (
    <Avatar className={cn("size-10", className)}>
      {profile.avatar_url ? <AvatarImage src={profile.avatar_url} alt="" /> : null}
      <AvatarFallback aria-hidden="true">{profile.name.slice(0, 1).toUpperCase()}</AvatarFallback>
    </Avatar>
  );
}
