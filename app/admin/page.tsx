'use client';
// /admin: account management for admins (AUTH=local).
import { AdminUsersView } from './AdminUsersView';

export default function AdminPage() {
  return <AdminUsersView />;
}
