export { envString, envInt, envBool, envPort, type Env } from './config.js';
