export * as lakehouse from './lakehouse/index.js';
