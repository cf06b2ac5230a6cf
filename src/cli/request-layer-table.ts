import path from "node:path";
import type { RequestLayerConfig, RequestRule } from "../loader/next-config";
import type { ProxyFile } from "../loader/proxy-file";

function conditions(rule: Pick<RequestRule, "has" | "missing">): string {
  const parts = [
    ...(rule.has ?? []).map(
      (c) => `has ${c.type}${c.key ? ` ${c.key}` : ""}${c.value ? `=${c.value}` : ""}`,
    ),
    ...(rule.missing ?? []).map((c) => `missing ${c.type}${c.key ? ` ${c.key}` : ""}`),
  ];
  return parts.length > 0 ? `  [${parts.join(", ")}]` : "";
}

/**
 * What runs before the route table, in Next's order, for `nextpress routes`: next.config's
 * basePath, trailingSlash, headers and redirects, the proxy file and its matcher, the rewrites.
 * No lines when the project has neither file.
 *
 * @example
 * formatRequestLayer(proxy, nextConfig, projectDir); // ["Request layer (in this order):", …]
 */
export function formatRequestLayer(
  proxy: ProxyFile | undefined,
  config: RequestLayerConfig | undefined,
  projectDir: string,
): string[] {
  if (!proxy && !config) return [];
  const lines = ["Request layer (in this order):"];
  if (config) {
    const settings = [
      config.basePath && `basePath ${config.basePath}`,
      `trailingSlash ${config.trailingSlash}`,
    ].filter(Boolean);
    lines.push(`  ${path.relative(projectDir, config.file)}: ${settings.join(", ")}`);
    for (const rule of config.headers)
      lines.push(
        `  headers    ${rule.source}  ${rule.headers.map((h) => h.key).join(", ")}${conditions(rule)}`,
      );
    for (const rule of config.redirects)
      lines.push(
        `  redirect   ${rule.source} → ${rule.destination} (${rule.statusCode})${conditions(rule)}`,
      );
  }
  if (proxy) {
    const matcher = proxy.matchers
      ? proxy.matchers.map((m) => m.source + conditions(m)).join(", ")
      : "every path";
    lines.push(`  proxy      ${path.relative(projectDir, proxy.file)}  matcher: ${matcher}`);
  }
  if (config) {
    for (const phase of ["beforeFiles", "afterFiles", "fallback"] as const)
      for (const rule of config.rewrites[phase])
        lines.push(
          `  rewrite    ${rule.source} → ${rule.destination} (${phase})${conditions(rule)}`,
        );
  }
  return [...lines, ""];
}
