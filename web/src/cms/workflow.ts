// What the studio offers a caller for a title: the CMS's workflow rules (ott.cms.workflow) seen
// from the browser. Only affordances: the API decides, and its answer (403, 409) is shown.
import type { User } from "@/api/types";

import type { CmsView, Role, WorkflowState } from "./types";

export type WorkflowAction = "submit" | "approve" | "reject" | "publish" | "schedule" | "archive";

/** The route of each action under /api/cms/content/{id}/ ("schedule" is a publish too). */
export const ACTION_PATHS = {
  submit: "submit-review",
  approve: "approve",
  reject: "reject",
  publish: "publish",
  archive: "archive",
} as const;

type Caller = Pick<User, "id" | "roles">;

export function hasRole(caller: Caller, role: Role): boolean {
  return caller.roles.includes("admin") || caller.roles.includes(role);
}

/** Editors, reviewers and admins use the studio; viewers do not. */
export function isStaff(caller: Caller): boolean {
  return hasRole(caller, "editor") || hasRole(caller, "reviewer");
}

/** Why the caller may not edit the title now, or null when they may. */
export type ReadOnlyReason = "pending_review" | "archived" | "notOwner" | "adminOnly" | "noRole";

export function readOnlyReason(
  view: Pick<CmsView, "workflow_state" | "created_by">,
  caller: Caller,
): ReadOnlyReason | null {
  const state: WorkflowState = view.workflow_state;
  if (state === "pending_review") return "pending_review";
  if (state === "archived") return "archived";
  if (!hasRole(caller, "editor")) return "noRole";
  if (state === "draft") {
    return hasRole(caller, "admin") || view.created_by === caller.id ? null : "notOwner";
  }
  return hasRole(caller, "admin") ? null : "adminOnly";
}

/** The workflow steps the caller's roles allow from the title's state. */
export function availableActions(
  view: Pick<CmsView, "workflow_state" | "created_by">,
  caller: Caller,
): WorkflowAction[] {
  const admin = hasRole(caller, "admin");
  const actions: WorkflowAction[] = [];
  switch (view.workflow_state) {
    case "draft":
      if (hasRole(caller, "editor") && (admin || view.created_by === caller.id)) actions.push("submit");
      break;
    case "pending_review":
      if (hasRole(caller, "reviewer")) actions.push("approve", "reject");
      break;
    case "approved":
      if (admin) actions.push("publish", "schedule");
      break;
    default:
      break;
  }
  if (admin && view.workflow_state !== "archived") actions.push("archive");
  return actions;
}
