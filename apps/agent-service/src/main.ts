import { runService } from '@obs/service-kit';
import { AppModule } from './app.module';
import { SERVICE } from './service';

void runService(SERVICE, AppModule.forRoot);
