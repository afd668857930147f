import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  ApiErrors,
  ListProductsQuery,
  ProductDto,
  ProductPageDto,
  UPSTREAM_ERRORS,
} from '@obs/api-contracts';
import { intParam, type UpstreamClient, UpstreamClients } from '@obs/service-kit';
import type { Response } from 'express';
import { relay } from '../proxy/relay';

@ApiTags('products')
@Controller('api/products')
export class ProductsController {
  private readonly products: UpstreamClient;

  constructor(upstreams: UpstreamClients) {
    this.products = upstreams.for('product-service');
  }

  @Get()
  @ApiOkResponse({ type: ProductPageDto })
  @ApiErrors(400, ...UPSTREAM_ERRORS)
  list(@Query() query: ListProductsQuery, @Res({ passthrough: true }) response: Response) {
    const search = new URLSearchParams({
      limit: String(query.limit),
      offset: String(query.offset),
    });
    if (query.q) search.set('q', query.q);
    return relay<ProductPageDto>(this.products, `/products?${search}`, response);
  }

  @Get(':id')
  @ApiOkResponse({ type: ProductDto })
  @ApiErrors(400, [404, 'No product has this id.'], ...UPSTREAM_ERRORS)
  get(@Param('id', intParam('id')) id: number, @Res({ passthrough: true }) response: Response) {
    return relay<ProductDto>(this.products, `/products/${id}`, response);
  }
}
