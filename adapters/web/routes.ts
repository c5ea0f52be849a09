// Every web route is registered from here, in one list per server. A page area (the check-in
// page, the therapist's alert page, the dashboard) is one route module in routes/, built from
// the dependencies the composition root passes in.

import type { RouteModule } from "./server.ts";
import { opsRoutes } from "./routes/ops.ts";
import type { OpsRoutesOptions } from "./routes/ops.ts";
import { dashboardRoutes } from "./routes/dashboard.ts";
import type { DashboardRoutesDeps } from "./routes/dashboard.ts";

import { checkInRoutes } from "./routes/checkin.ts";
import { alertRoutes } from "./routes/alert.ts";
import type { LinkPagesPort } from "../../src/ports/link-pages.ts";
import type { InboundPort } from "../../src/ports/inbound.ts";
import type { LinkRateLimits } from "./routes/limits.ts";
import { createLinkLimiter } from "./routes/limits.ts";

export interface PublicRoutesDeps {
  ops: Omit<OpsRoutesOptions, "exposure">;
  /** The therapist's and admin's web view (sign-in, caseload, client pages, admin pages). */
  dashboard?: DashboardRoutesDeps;
  /** Link mode's pages: the client's check-in (/c/<token>) and the therapist's alert (/a/<token>). */
  links?: { pages: LinkPagesPort; inbound: InboundPort; limits?: Partial<LinkRateLimits> };
}

/** The routes on PORT: the pages people open, /healthz, /readyz and token-guarded /metrics. */
export function publicRoutes(deps: PublicRoutesDeps): RouteModule[] {
  const links = deps.links ? { pages: deps.links.pages, inbound: deps.links.inbound, limiter: createLinkLimiter(deps.links.limits) } : null;
  return [
    opsRoutes({ ...deps.ops, exposure: "public" }),
    ...(deps.dashboard ? [dashboardRoutes(deps.dashboard)] : []),
    ...(links ? [checkInRoutes(links), alertRoutes(links)] : []),
  ];
}

/** The routes on OPS_PORT: /healthz, /readyz with details and /metrics, no pages. */
export function opsPortRoutes(ops: Omit<OpsRoutesOptions, "exposure" | "token">): RouteModule[] {
  return [opsRoutes({ ...ops, exposure: "private" })];
}
