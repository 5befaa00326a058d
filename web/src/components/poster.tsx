import { cn } from "@/lib/utils";

// Uploaded posters come in two sizes named in the file (…-600x900.jpg, …-300x450.jpg) and
// thumbnails in two as well; a frame of a title's video has one size.
const VARIANTS: Record<string, [string, number][]> = {
  "600x900": [
    ["300x450", 300],
    ["600x900", 600],
  ],
  "1280x720": [
    ["640x360", 640],
    ["1280x720", 1280],
  ],
};

export function srcSetOf(url: string): string | undefined {
  const match = /-(\d+x\d+)\.jpg$/.exec(url);
  const variants = match?.[1] ? VARIANTS[match[1]] : undefined;
  if (!match?.[1] || !variants) return undefined;
  const base = url.slice(0, -`${match[1]}.jpg`.length);
  return variants.map(([size, width]) => `${base}${size}.jpg ${width}w`).join(", ");
}

function hue(seed: string): number {
  let h = 0;
  for (const ch of seed) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return h;
}

/**
 * A title's image in a fixed aspect ratio (no layout shift), lazy unless `priority`. Without an
 * image, a gradient of the title's own colour with its name.
 */
export function Poster({
  url,
  title,
  seed,
  aspect = "poster",
  sizes,
  priority = false,
  className,
}: {
  url: string | null | undefined;
  title: string;
  seed: string;
  aspect?: "poster" | "wide";
  sizes: string;
  priority?: boolean;
  className?: string;
}) {
  const [width, height] = aspect === "poster" ? [300, 450] : [640, 360];
  const box = cn(
    "relative overflow-hidden rounded-lg bg-muted",
    aspect === "poster" ? "aspect-[2/3]" : "aspect-video",
    className,
  );
  if (!url) {
    const h = hue(seed);
    return (
      <div
        className={cn(box, "flex items-end p-3", aspect === "wide" && "pb-5")}
        style={{
          backgroundImage: `linear-gradient(160deg, hsl(${h} 55% 32%), hsl(${(h + 50) % 360} 60% 14%))`,
        }}
      >
        <span aria-hidden="true" className="line-clamp-3 text-base font-bold leading-tight text-white drop-shadow">
          {title}
        </span>
      </div>
    );
  }
  return (
    <div className={box}>
      {/* eslint-disable-next-line @next/next/no-img-element -- static export: no image optimiser */}
      <img
        src={url}
        srcSet={srcSetOf(url)}
        sizes={sizes}
        width={width}
        height={height}
        alt=""
        loading={priority ? "eager" : "lazy"}
        decoding="async"
        fetchPriority={priority ? "high" : "auto"}
        className="size-full object-cover"
      />
    </div>
  );
}
