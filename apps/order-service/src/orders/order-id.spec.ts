import { orderIdFor } from './order-id';

describe('orderIdFor', () => {
  it('is the RFC 9562 version 5 UUID of the key in the caller’s namespace', () => {
    // The DNS namespace and name of the RFC's own example.
    expect(orderIdFor('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('gives one id per caller and key', () => {
    const ada = '0b6f3c1e-5d2a-4e8b-9c7d-1a2b3c4d5e6f';
    const grace = '6a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

    expect(orderIdFor(ada, 'checkout-1')).toBe(orderIdFor(ada, 'checkout-1'));
    expect(orderIdFor(ada, 'checkout-2')).not.toBe(orderIdFor(ada, 'checkout-1'));
    expect(orderIdFor(grace, 'checkout-1')).not.toBe(orderIdFor(ada, 'checkout-1'));
  });
});
