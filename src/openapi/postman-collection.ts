/** The parts of a Postman v2.1 collection this module touches; the rest passes through as converted. */
export interface PostmanCollection {
  info: { name: string; schema: string; [key: string]: unknown };
  item: PostmanItem[];
  variable?: { key: string; value: string; description?: string }[];
  event?: { listen: "test" | "prerequest"; script: { type: "text/javascript"; exec: string[] } }[];
  [key: string]: unknown;
}

export interface PostmanItem {
  name: string;
  item?: PostmanItem[];
  request?: {
    method: string;
    url: { path?: string[]; [key: string]: unknown };
    auth?: { type: string; bearer?: { key: string; value: string }[] } | null;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}
