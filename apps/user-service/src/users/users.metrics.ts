import { makeCounterProvider } from '@obs/telemetry';

export const USERS_REGISTERED_TOTAL = 'users_registered_total';
export const USER_LOGINS_TOTAL = 'user_logins_total';

export const userMetricProviders = [
  makeCounterProvider({
    name: USERS_REGISTERED_TOTAL,
    help: 'Registrations, by result: success or conflict (email taken).',
    labelNames: ['result'],
  }),
  makeCounterProvider({
    name: USER_LOGINS_TOTAL,
    help: 'Logins, by result: success or failure (bad credentials).',
    labelNames: ['result'],
  }),
];
