// Lives in @holdfast/test-kit, shared by every suite.
export { openSse, type SseMessage, type SseStream } from '@holdfast/test-kit';
