// Loaded on every page: small progressive enhancements that need no page data.
import { enableAutosubmit } from "./live.js";

enableAutosubmit();
