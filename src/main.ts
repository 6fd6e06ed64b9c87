import { runTimeline } from './run-timeline.js';

/** `npm start`: the server, in the role TIMELINE_ROLE names (both roles by default). */
await runTimeline(process.env);
