import { authenticate } from "nextpress";

// Every route in routes/admin/ (and below) needs a Bearer token from API_TOKENS.
export default [authenticate];
