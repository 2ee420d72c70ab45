import { assets } from "./assets.js";
import type { RouteModule } from "./context.js";

/** GET /assets/:name: the stylesheet and client scripts of assets.ts, from memory. */
export const assetRoutes: RouteModule = (app) => {
  app.get("/assets/:name", (c) => {
    const asset = assets.get(c.req.param("name"));
    if (asset === undefined) return c.notFound();
    return c.body(asset.body, 200, { "Content-Type": asset.contentType, "Cache-Control": "no-cache" });
  });
};
