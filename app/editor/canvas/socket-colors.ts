// One colour per socket type, shared by handles, edges and the minimap legend.
import type { SocketType } from '../../../nodes/define';

const COLORS: Record<SocketType, string> = {
  MODEL: '#b39ddb',
  CLIP: '#ffd54f',
  VAE: '#ef5350',
  CONDITIONING: '#ffa726',
  LATENT: '#f06292',
  IMAGE: '#64b5f6',
  MASK: '#e0e0e0',
  UPSCALE_MODEL: '#81c784',
  REFINER: '#4db6ac',
  CONTROL_NET: '#00897b',
  ANY: '#9e9e9e',
  INT: '#4dd0e1',
  FLOAT: '#aed581',
  STRING: '#e0e0e0',
};

export function socketColor(type: string | undefined): string {
  return (type && COLORS[type as SocketType]) || '#9e9e9e';
}
