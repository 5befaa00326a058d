// Ad inventory for the flows, made through the ad service's API as an admin: an advertiser, a
// campaign aimed at sports titles only (no other flow plays one, so their films stay without
// ads), and a video creative uploaded over tus and transcoded by the platform's own pipeline.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

import { ApiFailure, call, signIn } from "./api.mjs";
import { makeClip } from "./clip.mjs";
import { BASE_URL, TRANSCODE_TIMEOUT_MS, adminCredentials } from "./env.mjs";
import { eventually } from "./wait.mjs";

export async function adminToken() {
  const { email, password } = adminCredentials();
  return (await signIn(email, password)).access_token;
}

const b64 = (text) => Buffer.from(text, "utf8").toString("base64");

/** A finished tus upload (POST, then one PATCH) of `file` as a video; its id. */
export async function uploadVideo(token, file) {
  const bytes = readFileSync(file);
  const created = await fetch(`${BASE_URL}/api/cms/uploads`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "tus-resumable": "1.0.0",
      "upload-length": String(bytes.length),
      "upload-metadata": `kind ${b64("video")},filename ${b64(basename(file))}`,
    },
  });
  if (created.status !== 201) throw new ApiFailure("POST", "/api/cms/uploads", created.status, await created.text());
  const location = new URL(created.headers.get("location"), BASE_URL).href;
  const sent = await fetch(location, {
    method: "PATCH",
    headers: {
      authorization: `Bearer ${token}`,
      "tus-resumable": "1.0.0",
      "upload-offset": "0",
      "content-type": "application/offset+octet-stream",
    },
    body: bytes,
  });
  if (sent.status !== 204) throw new ApiFailure("PATCH", location, sent.status, await sent.text());
  return location.split("/").filter(Boolean).at(-1);
}

/**
 * A campaign for sports titles with a ready creative of `seconds` (skippable after
 * `skipOffsetSeconds` when given), still a draft (`activateCampaign` serves it); answers it.
 */
export async function sportsCampaign(token, { name, seconds = 6, skipOffsetSeconds = null } = {}) {
  const advertiser = await call("/api/ads/advertisers", { token, body: { name: `${name} advertiser` } });
  const campaign = await call("/api/ads/campaigns", {
    token,
    body: {
      advertiser_id: advertiser.id,
      name,
      starts_at: new Date(Date.now() - 86_400_000).toISOString(),
      pacing: "asap",
      priority: 10,
      click_through_url: "https://advertiser.example/offer",
      ...(skipOffsetSeconds === null ? { skippable: false } : { skippable: true, skip_offset_seconds: skipOffsetSeconds }),
      targeting: { content_types: ["sports"] },
    },
  });
  const upload = await uploadVideo(token, await makeClip({ seconds }));
  const creative = await call(`/api/ads/campaigns/${campaign.id}/creatives`, {
    token,
    body: { title: `${name} spot`, source_upload_id: upload },
  });
  await eventually(
    async () => {
      const read = await call(`/api/ads/creatives/${creative.id}`, { token });
      if (read.status === "failed") throw new Error(`the creative failed: ${read.error}`);
      return read.status === "ready";
    },
    { timeout: TRANSCODE_TIMEOUT_MS, interval: 2000, what: "the ad creative to be transcoded" },
  );
  return campaign;
}

export function pauseCampaign(token, campaignId) {
  return call(`/api/ads/campaigns/${campaignId}/actions/pause`, { token, body: {} });
}

export function activateCampaign(token, campaignId) {
  return call(`/api/ads/campaigns/${campaignId}/actions/activate`, { token, body: {} });
}

/**
 * Runs `body` while no other flow of this platform serves ads (a lock directory beside the
 * other flows' processes): each flow's campaign is active only inside it, so the impressions
 * a flow counts are its own viewer's.
 */
export async function servingAdsAlone(body, { timeout = 300_000 } = {}) {
  const lock = join(tmpdir(), `ott-e2e-ads-${createHash("sha256").update(BASE_URL).digest("hex").slice(0, 12)}.lock`);
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      // A lock left by a flow that died is stale after the timeout.
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > timeout) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`another flow served ads for over ${timeout / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    return await body();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Ends a campaign (a flow's own, once it is done with it: a platform kept for more runs serves others). */
export async function endCampaign(token, campaignId) {
  await call(`/api/ads/campaigns/${campaignId}/actions/end`, { token, body: {} }).catch(() => undefined);
}

/** The campaign's counts by tracking event (all days). */
export async function campaignTotals(token, campaignId) {
  return (await call(`/api/ads/campaigns/${campaignId}/stats`, { token })).totals;
}

/**
 * What a pre-roll shows in the player on `page`: waits for the ad's overlay and its picture
 * playing; answers the label's text.
 */
export async function waitForAd(page, { timeout = 30_000 } = {}) {
  await page.getByTestId("player-ad").waitFor({ timeout });
  await page.waitForFunction(
    () => {
      const video = document.querySelector('[data-testid="player-ad-video"] video');
      return video !== null && video.currentTime > 0.2 && !video.paused;
    },
    null,
    { timeout },
  );
  return page.getByTestId("player-ad-label").innerText();
}
