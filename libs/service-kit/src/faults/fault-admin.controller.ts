import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Injectable,
  NotFoundException,
  Param,
  Post,
  UnauthorizedException,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { SERVICE_CONFIG } from '../config/config.token';
import type { ServiceConfig } from '../config/service-config';
import { uuidParam } from '../validation/param-pipes';
import { CreateFaultDto } from './fault.dto';
import { FaultRegistry } from './fault-registry';

@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(SERVICE_CONFIG) config: ServiceConfig) {
    this.expected = Buffer.from(`Bearer ${config.ADMIN_TOKEN ?? ''}`);
  }

  canActivate(context: ExecutionContext): boolean {
    const given = Buffer.from(
      context.switchToHttp().getRequest<Request>().headers.authorization ?? '',
    );
    if (given.length === this.expected.length && timingSafeEqual(given, this.expected)) return true;
    throw new UnauthorizedException('a valid admin bearer token is required');
  }
}

/** Fault injection for drills; mounted only when FAULT_INJECTION=enabled, never proxied by the gateway. */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminTokenGuard)
@Controller('admin/faults')
export class FaultAdminController {
  constructor(private readonly faults: FaultRegistry) {}

  @Get()
  list() {
    return this.faults.list();
  }

  @Post()
  create(@Body() fault: CreateFaultDto) {
    return this.faults.add(fault);
  }

  @Delete()
  @HttpCode(204)
  clear(): void {
    this.faults.clear();
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', uuidParam('id')) id: string): void {
    if (!this.faults.remove(id)) throw new NotFoundException(`no active fault ${id}`);
  }
}
