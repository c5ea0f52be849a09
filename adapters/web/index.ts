// The web adapter: one Fastify server per listening port, pages rendered on the server.
export { createWebServer, BODY_LIMIT_BYTES } from "./server.ts";
export type { WebServer, WebServerOptions, RouteModule, RawHandler } from "./server.ts";
export { publicRoutes, opsPortRoutes } from "./routes.ts";
export type { PublicRoutesDeps } from "./routes.ts";
