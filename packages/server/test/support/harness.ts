// The test harness lives in @holdfast/test-kit, shared with the SDK, worker and admin suites; server tests keep
// importing it from here.
export {
  createAccount,
  createEvent,
  createHarness,
  createUser,
  expireNow,
  IN_PROCESS,
  ledger,
  PASSWORD,
  rest,
  TEST_JWT_SECRET,
  testEnv,
  trpc,
  unique,
  type EventDto,
  type Harness,
  type Reply,
  type ReservationDto,
  type TestAccount,
  type TestUser,
  type TrpcReply,
} from '@holdfast/test-kit';
