// Lives in @holdfast/test-kit, shared by every suite.
export { holdQuery, watchQueries, type HeldQuery, type QueryWatch } from '@holdfast/test-kit';
