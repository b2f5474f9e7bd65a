import { Module } from '@nestjs/common';
import { Clock } from './clock';

/** One clock per application, so a test that moves it moves it for the login and the session alike. */
@Module({ providers: [Clock], exports: [Clock] })
export class ClockModule {}
