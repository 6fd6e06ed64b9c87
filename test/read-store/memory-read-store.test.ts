import { createMemoryReadStore } from '../../src/read-store/memory/memory-read-store.js';
import { readModelStoreConformance } from './read-model-store.conformance.js';

// The plainest reading of the port, held to the same contract as the real adapters.
readModelStoreConformance('memory', async () => createMemoryReadStore());
