import { Controller, Get, Param, Query, UseInterceptors } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ListProductsQuery, ProductDto, ProductPageDto } from '@obs/api-contracts';
import { intParam, RecordCallerInterceptor } from '@obs/service-kit';
import { ProductsService } from './products.service';

@ApiTags('products')
@Controller('products')
// agent-service's tools read products on behalf of a user.
@UseInterceptors(RecordCallerInterceptor)
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Get()
  @ApiOkResponse({ type: ProductPageDto })
  @ApiErrors(400)
  list(@Query() query: ListProductsQuery): Promise<ProductPageDto> {
    return this.products.list(query);
  }

  @Get(':id')
  @ApiOkResponse({ type: ProductDto })
  @ApiErrors(400, [404, 'No product has this id.'])
  get(@Param('id', intParam('id')) id: number): Promise<ProductDto> {
    return this.products.get(id);
  }
}
