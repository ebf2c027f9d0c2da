export { type ControlBus, type Subscription, Subjects, subjectMatches } from './control-bus.js';
export { InProcessBus } from './in-process-bus.js';
