// Waiting for something the platform does in its own time (transcoding, a flush, a cache).

/**
 * Calls `check` until it answers something truthy (which is returned) or `timeout` ms pass;
 * then fails with `what` and the last answer or error.
 */
export async function eventually(check, { timeout = 30_000, interval = 500, what = "the condition" } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const answer = await check();
      if (answer) return answer;
      last = answer;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`gave up after ${Math.round(timeout / 1000)} s waiting for ${what} (last: ${detail})`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
