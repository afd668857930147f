import { findOrderId } from './order-assistant.agent';

describe('order-assistant planning', () => {
  const orderId = '5f0c8a4e-2b1d-4c3e-9a7f-6e5d4c3b2a10';

  it('finds an order id written in the input, in any case', () => {
    expect(findOrderId(`where is order ${orderId.toUpperCase()}?`, {})).toBe(orderId);
  });

  it('prefers context.orderId to an id in the input', () => {
    const other = '11111111-2222-4333-8444-555555555555';
    expect(findOrderId(`what about ${other}`, { orderId })).toBe(orderId);
  });

  it('finds nothing in text without a whole UUID, so the agent reports the latest order', () => {
    expect(findOrderId('where is my last order?', {})).toBeUndefined();
    expect(findOrderId('order 5f0c8a4e-2b1d-4c3e-9a7f', {})).toBeUndefined();
    expect(findOrderId(`order x${orderId}0`, {})).toBeUndefined();
  });
});
