// The page is embedded in the pgtrail binary: plain files under dist/, no inline scripts (the server's
// Content-Security-Policy allows only 'self'), nothing loaded from elsewhere.
import { defineConfig } from "vite";

export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: { outDir: "dist", emptyOutDir: true, assetsInlineLimit: 0, modulePreload: { polyfill: false }, target: "es2020" },
});
