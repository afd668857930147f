import { BadRequestException } from '@nestjs/common';
import { intParam, uuidParam } from './param-pipes';

describe('intParam', () => {
  const id = intParam('id');

  it('turns decimal digits into the id', () => {
    expect(id.transform('1', { type: 'param' })).toBe(1);
    expect(id.transform('2147483647', { type: 'param' })).toBe(2_147_483_647);
  });

  it.each(['0', '2147483648', '2.9e16', '9007199254740992', '1e3', '0x10', ' 7', '-1', '', 'abc'])(
    'answers 400 naming the parameter for %j, which no integer column holds as an id',
    (value) => {
      expect(() => id.transform(value, { type: 'param' })).toThrow(
        new BadRequestException('id must be an integer from 1 to 2147483647'),
      );
    },
  );
});

describe('uuidParam', () => {
  it('passes a UUID and answers 400 naming the parameter otherwise', async () => {
    const orderId = uuidParam('orderId');
    const uuid = '3f2b8a5e-8c1d-4e2f-9a7b-1c2d3e4f5a6b';

    await expect(orderId.transform(uuid, { type: 'param' })).resolves.toBe(uuid);
    await expect(orderId.transform('order-1', { type: 'param' })).rejects.toThrow(
      'orderId must be a UUID',
    );
  });
});
