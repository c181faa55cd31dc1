export { searchAssistants } from './searchAssistants';
export { searchCampaigns } from './searchCampaigns';
