import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/** Version from the nearest package.json (works from src/ and from dist/src/). */
export function packageVersion(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'amendflow' && pkg.version) return pkg.version;
    } catch {
      // keep looking
    }
  }
  return '0.0.0';
}

/**
 * The OpenAPI document of the API, read from the controllers' decorators. The service serves it
 * at /docs-json; `npm run api:types` builds it from an application in preview mode (no database)
 * to generate the web client's types.
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('amendflow API')
    .setDescription('Workflow engine for SCO memorandum and regulation amendment procedures')
    .setVersion(packageVersion())
    .addBearerAuth()
    .build();
  return SwaggerModule.createDocument(app, config);
}
