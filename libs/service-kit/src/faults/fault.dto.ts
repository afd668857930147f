import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { type ServiceName, UPSTREAM_SERVICE_NAMES } from '@obs/api-contracts';
import {
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';

export const FAULT_KINDS = [
  'error-rate',
  'latency',
  'unavailable',
  'event-loop-block',
  'memory-growth',
  'upstream-failure',
  'slow-agent',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const needs =
  (...kinds: FaultKind[]) =>
  (fault: CreateFaultDto) =>
    kinds.includes(fault.kind);

/** One fault to inject; which parameters are required depends on `kind`. */
export class CreateFaultDto {
  @ApiProperty({ enum: FAULT_KINDS })
  @IsIn(FAULT_KINDS)
  kind: FaultKind;

  @ApiPropertyOptional({ description: 'Seconds until the fault clears itself.', default: 300 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3_600)
  ttlSeconds?: number;

  @ApiPropertyOptional({
    description: 'Share of matching requests affected (error-rate, latency, upstream-failure).',
  })
  @ValidateIf((fault: CreateFaultDto) => fault.kind === 'error-rate' || fault.rate !== undefined)
  @IsNumber()
  @Min(0)
  @Max(1)
  rate?: number;

  @ApiPropertyOptional({ description: 'Path prefix the fault applies to, e.g. /api/products.' })
  @IsOptional()
  @IsString()
  @Matches(/^\//, { message: 'route must start with /' })
  route?: string;

  @ApiPropertyOptional({ description: 'Status of injected errors.', default: 500 })
  @IsOptional()
  @IsInt()
  @Min(400)
  @Max(599)
  statusCode?: number;

  @ApiPropertyOptional({ description: 'Added delay (latency, slow-agent).' })
  @ValidateIf(needs('latency', 'slow-agent'))
  @IsInt()
  @Min(1)
  @Max(60_000)
  delayMs?: number;

  @ApiPropertyOptional({ description: 'How long each block holds the event loop.' })
  @ValidateIf(needs('event-loop-block'))
  @IsInt()
  @Min(1)
  @Max(5_000)
  blockMs?: number;

  @ApiPropertyOptional({ description: 'Time between two blocks of the event loop.' })
  @ValidateIf(needs('event-loop-block'))
  @IsInt()
  @Min(10)
  @Max(60_000)
  intervalMs?: number;

  @ApiPropertyOptional({ description: 'Memory retained per second (memory-growth).' })
  @ValidateIf(needs('memory-growth'))
  @IsInt()
  @Min(1)
  @Max(100)
  mbPerSecond?: number;

  @ApiPropertyOptional({ description: 'Memory retained at most (memory-growth).' })
  @ValidateIf(needs('memory-growth'))
  @IsInt()
  @Min(1)
  @Max(1_024)
  capMb?: number;

  @ApiPropertyOptional({
    enum: UPSTREAM_SERVICE_NAMES,
    description: 'Upstream whose calls fail (upstream-failure).',
  })
  @ValidateIf(needs('upstream-failure'))
  @IsIn(UPSTREAM_SERVICE_NAMES)
  upstream?: ServiceName;

  @ApiPropertyOptional({ description: 'Only this agent type is slowed (slow-agent).' })
  @IsOptional()
  @IsString()
  agentType?: string;
}

export type ActiveFault = Omit<CreateFaultDto, 'ttlSeconds'> & { id: string; expiresAt: string };
