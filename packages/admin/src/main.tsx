// Entry: one QueryClient for the app. Failed queries are retried once, never on a refusal (4xx): a 403 or a 404
// will not change by asking again.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      refetchOnWindowFocus: true,
      retry: (failures, error) => {
        const status = (error as { data?: { httpStatus?: number } }).data?.httpStatus;
        return failures < 1 && !(status && status >= 400 && status < 500);
      },
    },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
