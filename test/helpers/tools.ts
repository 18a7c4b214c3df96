export { ROOT, venvTool } from '../../cli/emulator';
