import { ClinicApp } from './clinic-app.js'; new ClinicApp(document).start();
