// ESLint for the page's script: storymap/static/js/*.js (inlined into every page in the order of
// their names) and watch.js. Plain ES5 in the browser, with Leaflet's `L`; each part is an
// immediately invoked function in strict mode that adds one name to `window.storymap`.
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    files: ["storymap/static/**/*.js"],
    languageOptions: {
      ecmaVersion: 5,
      sourceType: "script",
      globals: {
        ...globals.browser,
        L: "readonly",
      },
    },
    rules: {
      strict: ["error", "function"],
      "no-implicit-globals": "error",
      "no-unused-vars": ["error", { caughtErrors: "none" }],
      eqeqeq: "error",
      "no-shadow": ["error", { builtinGlobals: false }],
    },
  },
];
