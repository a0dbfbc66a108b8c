export { type ChannelContract, defineChannel } from './define-channel.js';
export { defineJob, type JobContract, type JobDefaults } from './define-job.js';
export { defineMethod, type MethodContract, type MethodDefinition } from './define-method.js';
