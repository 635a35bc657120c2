// Lives in @holdfast/test-kit, shared by every suite.
export { startPrivatePostgres, type PrivatePostgres } from '@holdfast/test-kit';
