import UAParser from "ua-parser-js";

/** What next/server's `userAgent()` returns: ua-parser-js's result (the parser Next bundles) and `isBot`. */
export interface UserAgent {
  isBot: boolean;
  ua: string;
  browser: { name?: string; version?: string; major?: string };
  device: { model?: string; type?: string; vendor?: string };
  engine: { name?: string; version?: string };
  os: { name?: string; version?: string };
  cpu: { architecture?: string };
}

// Next's own list (next/server's userAgent.ts).
const BOTS =
  /Googlebot|Mediapartners-Google|AdsBot-Google|googleweblight|Storebot-Google|Google-PageRenderer|Google-InspectionTool|Bingbot|BingPreview|Slurp|DuckDuckBot|baiduspider|yandex|sogou|LinkedInBot|bitlybot|tumblr|vkShare|quora link preview|facebookexternalhit|facebookcatalog|Twitterbot|applebot|redditbot|Slackbot|Discordbot|WhatsApp|SkypeUriPreview|ia_archiver/i;

export function isBot(input: string): boolean {
  return BOTS.test(input);
}

export function userAgentFromString(input: string | undefined): UserAgent {
  const parsed = new UAParser(input).getResult();
  return { ...parsed, isBot: input === undefined ? false : isBot(input) };
}

/** next/server `userAgent(request)`. */
export function userAgent({ headers }: { headers: Headers }): UserAgent {
  return userAgentFromString(headers.get("user-agent") ?? undefined);
}
