import { MemoryLocationStore } from '../../src/server/location/memory-store.js';
import { locationStoreConformance } from './location-conformance.js';

locationStoreConformance('memory', () => new MemoryLocationStore());
