import { Module } from '@nestjs/common';
import { DemoController } from './demo.controller';

/** The offline demo's landing page; answers 404 unless the service runs against the emulator. */
@Module({ controllers: [DemoController] })
export class DemoModule {}
