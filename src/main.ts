import { startApi } from './cluster';

void startApi();
