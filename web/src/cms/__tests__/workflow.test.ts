import { describe, expect, it } from "vitest";

import type { Role, WorkflowState } from "../types";
import { availableActions, isStaff, readOnlyReason } from "../workflow";

const ME = "11111111-1111-1111-1111-111111111111";
const OTHER = "22222222-2222-2222-2222-222222222222";

const caller = (...roles: Role[]) => ({ id: ME, roles });
const title = (workflow_state: WorkflowState, created_by: string | null = ME) => ({ workflow_state, created_by });

describe("the studio's affordances follow the CMS workflow", () => {
  it("lets an editor submit and edit only their own drafts", () => {
    const editor = caller("viewer", "editor");
    expect(availableActions(title("draft"), editor)).toEqual(["submit"]);
    expect(readOnlyReason(title("draft"), editor)).toBeNull();
    expect(availableActions(title("draft", OTHER), editor)).toEqual([]);
    expect(readOnlyReason(title("draft", OTHER), editor)).toBe("notOwner");
    expect(readOnlyReason(title("approved"), editor)).toBe("adminOnly");
    expect(readOnlyReason(title("published"), editor)).toBe("adminOnly");
  });

  it("lets a reviewer approve or reject what is under review, and edit nothing", () => {
    const reviewer = caller("reviewer");
    expect(availableActions(title("pending_review", OTHER), reviewer)).toEqual(["approve", "reject"]);
    expect(readOnlyReason(title("pending_review", OTHER), reviewer)).toBe("pending_review");
    expect(availableActions(title("draft", OTHER), reviewer)).toEqual([]);
    expect(readOnlyReason(title("draft", OTHER), reviewer)).toBe("noRole");
    expect(availableActions(title("approved", OTHER), reviewer)).toEqual([]);
  });

  it("lets an admin do everything a state allows, and archive all but archived titles", () => {
    const admin = caller("admin");
    expect(availableActions(title("draft", OTHER), admin)).toEqual(["submit", "archive"]);
    expect(availableActions(title("pending_review", OTHER), admin)).toEqual(["approve", "reject", "archive"]);
    expect(availableActions(title("approved", OTHER), admin)).toEqual(["publish", "schedule", "archive"]);
    expect(availableActions(title("published", OTHER), admin)).toEqual(["archive"]);
    expect(availableActions(title("archived", OTHER), admin)).toEqual([]);
    expect(readOnlyReason(title("published", OTHER), admin)).toBeNull();
    expect(readOnlyReason(title("archived", OTHER), admin)).toBe("archived");
    expect(readOnlyReason(title("pending_review", OTHER), admin)).toBe("pending_review");
  });

  it("keeps viewers out of the studio", () => {
    expect(isStaff(caller("viewer"))).toBe(false);
    expect(isStaff(caller("viewer", "reviewer"))).toBe(true);
    expect(isStaff(caller("editor"))).toBe(true);
    expect(isStaff(caller("admin"))).toBe(true);
  });
});
