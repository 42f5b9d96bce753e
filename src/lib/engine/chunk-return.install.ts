import { installChunkReturn } from './chunk-return';

installChunkReturn();
