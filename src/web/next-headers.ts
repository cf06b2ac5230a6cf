// What `import … from "next/headers"` gives a route file under nextpress (see loader/module-aliases.ts).
export { headers, cookies, draftMode, ReadonlyHeaders, RouteCookies } from "./headers";
