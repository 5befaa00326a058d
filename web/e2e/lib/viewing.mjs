// Viewing done through the API, for pages that show it (continue watching, next up).
import { call as defaultCall } from "./api.mjs";

/**
 * Plays `fraction` of a title (or episode) as the profile of `token` and stops: a resume point
 * below 1, watched to the end (completed: its next episode is "next up") at 1.
 */
export async function watchPart({ token, contentId, episodeId = null, fraction, device, api = defaultCall }) {
  const started = await api("/api/stream/playback/start", {
    token,
    body: { content_id: contentId, episode_id: episodeId, format: "hls", device },
  });
  const position = started.duration_seconds * fraction;
  await api("/api/stream/playback/position", {
    token,
    method: "PUT",
    body: { session_id: started.session_id, position_seconds: position, sequence: 1 },
  });
  if (fraction >= 1) await api("/api/stream/playback/complete", { token, body: { session_id: started.session_id } });
  // Stopped, so the stream no longer counts against the account's limit.
  else await api(`/api/stream/sessions/${started.session_id}`, { token, method: "DELETE" });
}
