import { resolve } from "node:path";

/**
 * The directory of the UI's static files (`stylesheets/supervisor.css`, `images/…`): the
 * checkout's or package's top-level `ui/`. This module runs from `dist/src/web/`.
 */
export const UI_STATIC_DIR: string = resolve(__dirname, "../../../ui");
